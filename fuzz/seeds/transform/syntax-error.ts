export const = 1 +
