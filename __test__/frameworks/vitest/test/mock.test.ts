import { expect, test, vi } from 'vitest'
import { now, stamp } from '../src/clock'
import { greet } from '../src/greeting'

vi.mock('../src/clock', () => ({
  now: vi.fn(() => 42),
  stamp: (label: string) => `${label}@mocked`,
}))

test('the mocked module replaces the real one everywhere', () => {
  expect(now()).toBe(42)
  expect(stamp('x')).toBe('x@mocked')
  expect(greet('mock')).toBe('Hello mock')
  expect(vi.mocked(now)).toHaveBeenCalled()
})

test('importActual reaches the real module', async () => {
  const actual = await vi.importActual<typeof import('../src/clock')>('../src/clock')
  expect(actual.now()).toBeGreaterThan(1_600_000_000_000)
})
