export const f = <T,>(x: T): T => x
let y!: number
for (using r of []) {}
