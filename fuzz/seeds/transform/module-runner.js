@import def, { a as b, c } from './dep.js'
import * as ns from 'pkg'
export * from './other.js'
export * as all from './all.js'
export { x as "string name" } from './x.js'
export const value = def + b + c + ns.q
export default function main() { return import('./lazy.js').then((m) => m.default) }
let counter = 0
export { counter }
export function bump() { counter++ }
if (import.meta.hot) import.meta.hot.accept(['./dep.js'], () => {})
console.log(import.meta.env.MODE, process.env.NODE_ENV, __APP_VERSION__, `${value}`)
class K extends Object { static #p = 1; get x() { return K.#p } }
label: for (const [k, { v = 1, ...r }] of Object.entries({})) { if (k) break label }
