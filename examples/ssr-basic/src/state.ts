class Counter {
  constructor(public value = 0) {}
}

const counter = new Counter()

export function increment(): void {
  counter.value++
}

export default counter
