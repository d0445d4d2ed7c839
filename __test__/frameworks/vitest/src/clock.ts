export function now(): number {
  return Date.now()
}

export function stamp(label: string): string {
  return `${label}@${now()}`
}
