export const name: string = 'one'
