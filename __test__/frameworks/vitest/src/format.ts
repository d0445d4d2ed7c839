import { add, square, type Pair } from './math'

export function describePair(pair: Pair): string {
  return `${pair.left} + ${pair.right} = ${add(pair)}, squared ${square(add(pair))}`
}
