import { expect, test } from 'vitest'

declare const __APP_NAME__: string

test('import.meta.glob finds every module', async () => {
  const modules = import.meta.glob<{ name: string }>('../src/modules/*.ts', { eager: true })
  expect(Object.keys(modules).sort()).toEqual(['../src/modules/one.ts', '../src/modules/two.ts'])
  expect(Object.values(modules).map((m) => m.name).sort()).toEqual(['one', 'two'])
})

test('define replaces a global name', () => {
  expect(__APP_NAME__).toBe('ven-vitest')
})

test('import.meta.env is filled in', () => {
  expect(import.meta.env.MODE).toBe('test')
  expect(typeof import.meta.env.DEV).toBe('boolean')
})
