import bcrypt from "bcryptjs";

export const BCRYPT_COST = 11;

/**
 * A hash of no one's password, at the same cost: compared against when the e-mail is unknown, so an
 * unknown account takes as long to refuse as a wrong password (12 ms against 148 ms told them apart).
 */
export const DUMMY_PASSWORD_HASH = "$2b$11$iQdMB2Ye/Xl7donMNdWReORHbwLkqbMmadoyYP3Z1/Sb7k.0BVqa2";

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, BCRYPT_COST);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}
