import { parseConfig } from './parse'

export function loadConfig(source: string) {
  const entries: Record<string, string> = {}
  for (const line of source.split('\n')) {
    const [key, value] = line.split('=')
    if (key) entries[key.trim()] = (value ?? '').trim()
  }
  return parseConfig(entries)
}
