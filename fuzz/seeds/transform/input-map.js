Àexport const a = 1
ÿ{"version":3,"sources":["a.ts"],"names":[],"mappings":"AAAA","sourcesContent":["export const a: number = 1"]}