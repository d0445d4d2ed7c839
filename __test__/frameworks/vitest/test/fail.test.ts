import { expect, test } from 'vitest'
import { add } from '../src/math'

type Case = { left: number; right: number; sum: number }

const cases: Case[] = [
  { left: 1, right: 1, sum: 2 },
  { left: 2, right: 2, sum: 5 },
]

test('passes before the failing one', () => {
  expect(add(cases[0])).toBe(cases[0].sum)
})

test('a failing assertion', () => {
  const { left, right, sum } = cases[1]
  expect(add({ left, right })).toBe(sum)
})
