// CRD durations: what parses, what is refused with a clear message, and how messages print them.
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../../../src/controllers/rotation/duration.ts';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('parseDuration', () => {
  it.each([
    { name: 'should read days as 24 hours when given 30d', text: '30d', ms: 30 * D },
    { name: 'should add the parts when given 1h30m', text: '1h30m', ms: H + 30 * M },
    { name: 'should read seconds when given 90s', text: '90s', ms: 90 * S },
    { name: 'should read every unit when given 1d2h3m4s', text: '1d2h3m4s', ms: D + 2 * H + 3 * M + 4 * S },
    { name: 'should accept zero when given 0s', text: '0s', ms: 0 },
    { name: 'should add repeated units when the schema pattern allows them', text: '10m10m', ms: 20 * M },
  ])('$name', ({ text, ms }) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    { name: 'should refuse an empty string', text: '' },
    { name: 'should refuse a number without a unit', text: '30' },
    { name: 'should refuse an unknown unit', text: '1w' },
    { name: 'should refuse a fraction', text: '1.5h' },
    { name: 'should refuse a negative duration', text: '-1h' },
    { name: 'should refuse surrounding whitespace', text: ' 1h' },
    { name: 'should refuse an upper-case unit', text: '1H' },
    { name: 'should refuse a duration too long to count in milliseconds', text: '99999999999999999d' },
  ])('$name', ({ text }) => {
    expect(() => parseDuration(text)).toThrow(/invalid duration/);
  });

  it('should name the bad text and the accepted units when it refuses', () => {
    expect(() => parseDuration('1w')).toThrow('invalid duration "1w": expected numbers with units d, h, m or s, such as 30d, 1h30m or 90s');
  });
});

describe('formatDuration', () => {
  it.each([
    { name: 'should print 0s when given zero', ms: 0, text: '0s' },
    { name: 'should print minutes and seconds when given 90s', ms: 90 * S, text: '1m30s' },
    { name: 'should skip empty units when given 1d2h', ms: D + 2 * H, text: '1d2h' },
    { name: 'should print milliseconds when given less than a second', ms: 250, text: '250ms' },
    { name: 'should keep the sign when given a negative duration', ms: -M, text: '-1m' },
  ])('$name', ({ ms, text }) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each(['30d', '1h30m', '1d2h3m4s', '90m'])('should print what parseDuration reads back when given %s', (text) => {
    expect(parseDuration(formatDuration(parseDuration(text)))).toBe(parseDuration(text));
  });
});
