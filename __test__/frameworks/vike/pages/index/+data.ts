import { greet } from '../../src/greeting'

export type Data = { message: string }

export function data(): Data {
  return { message: greet('vike') }
}
