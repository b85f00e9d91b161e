export const a = 1;
// TODO: handle overflow
