// The major types of RFC 8949 §3.1, named once for the encoder, the decoder and the byte readers.
export const MAJOR_UINT = 0;
export const MAJOR_NEGINT = 1;
export const MAJOR_BYTES = 2;
export const MAJOR_TEXT = 3;
export const MAJOR_ARRAY = 4;
export const MAJOR_MAP = 5;
export const MAJOR_TAG = 6;
export const MAJOR_SIMPLE = 7;
