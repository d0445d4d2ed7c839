import { describe, expect, test } from 'vitest'
import { describePair } from '../src/format'
import { add, square } from '../src/math'

describe('math', () => {
  test('adds', () => {
    expect(add({ left: 2, right: 3 })).toBe(5)
  })
  test('squares', () => {
    expect(square(4)).toBe(16)
  })
  test('describes through a second module', () => {
    expect(describePair({ left: 1, right: 2 })).toBe('1 + 2 = 3, squared 9')
  })
})
