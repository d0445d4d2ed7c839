Bimport type { T } from './types'
import { type U, helper } from './helper'
import fs = require('node:fs')
export enum Color { Red, Green = 'g' }
export namespace N { export const n = 1 }
declare global { interface Window { x: number } }
export abstract class Base<T extends object = {}> implements I {
  private readonly a: number = 1
  constructor(public p: string, protected q?: T) { super() }
  abstract m(): void
  @decorator method<K extends keyof T>(k: K): T[K] { return this.q![k] as T[K] }
}
export type Mapped<T> = { readonly [K in keyof T]?: T[K] extends infer R ? R : never }
const x = <const>['a'] satisfies readonly string[]
function assert(v: unknown): asserts v is string {}
export default helper as (u: U) => T
export const glob = import.meta.glob<true, string, Record<string, unknown>>('./dir/*.ts', { eager: true })
