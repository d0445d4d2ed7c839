type Config = { name: string; size: number }

// The line and column of this throw are what a mapped stack must point at.
export function parseSize(text: string): number {
  const size = Number(text)
  if (!Number.isInteger(size)) throw new RangeError(`not a size: ${text}`)
  return size
}

export function parseConfig(entries: Record<string, string>): Config {
  return { name: entries.name ?? 'none', size: parseSize(entries.size ?? '0') }
}
