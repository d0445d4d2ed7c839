export const name: string = 'two'
