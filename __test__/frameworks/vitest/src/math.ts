export interface Pair {
  left: number
  right: number
}

export function add({ left, right }: Pair): number {
  return left + right
}

export const square = (n: number): number => n * n
