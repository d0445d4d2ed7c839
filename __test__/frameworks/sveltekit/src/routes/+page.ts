import { greet } from '../lib/greeting'

export function load(): { message: string } {
  return { message: greet('kit') }
}
