import { now } from './clock'

export function greet(name: string): string {
  return now() < 0 ? 'never' : `Hello ${name}`
}
