export const counterLabel = (count: number): string => `count is ${count}`
