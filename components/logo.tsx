export function Logo() {
  return (
    <span className="flex items-center gap-2 font-semibold tracking-tight">
      <svg viewBox="0 0 32 32" className="size-6" aria-hidden>
        <rect width="32" height="32" rx="8" className="fill-primary" />
        <path d="M9 22V10m0 6h14m0-6v12" stroke="white" strokeWidth="3" strokeLinecap="round" fill="none" />
      </svg>
      Hookline
    </span>
  );
}
