import { expect, test } from 'vitest'
import { loadConfig } from '../src/deep/load'

test('loads a config', () => {
  expect(loadConfig('name = a\nsize = 3')).toEqual({ name: 'a', size: 3 })
})

test('an error thrown two modules deep', () => {
  loadConfig('name = b\nsize = big')
})
