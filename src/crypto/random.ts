// The single source of randomness for keys and IVs, passed in so test vectors can be reproduced.

import { randomBytes } from 'node:crypto';

/** Returns `size` fresh bytes; production code always uses secureRandom. */
export type RandomSource = (size: number) => Buffer;

/** The CSPRNG (OpenSSL via node:crypto). */
export const secureRandom: RandomSource = (size) => randomBytes(size);
