import { parseServiceArgs } from '@sluice/runtime';

const USAGE = 'usage: main.js --config <file>';

describe('parseServiceArgs', () => {
  it('reads --config and repeated --override key=value (values may contain =)', () => {
    expect(
      parseServiceArgs(['--config', 'a.properties', '--override', 'node.id=2', '--override', 'x=a=b'], USAGE),
    ).toEqual({
      config: 'a.properties',
      overrides: { 'node.id': '2', x: 'a=b' },
    });
  });

  it('answers usage for --help, and names what is wrong otherwise', () => {
    expect(parseServiceArgs(['-h'], USAGE)).toBe(USAGE);
    expect(parseServiceArgs([], USAGE)).toBe(`missing --config <file>\n${USAGE}`);
    expect(parseServiceArgs(['--config'], USAGE)).toBe(`unknown or incomplete argument "--config"\n${USAGE}`);
    expect(parseServiceArgs(['--config', 'f', '--override', 'novalue'], USAGE)).toBe(
      `unknown or incomplete argument "--override"\n${USAGE}`,
    );
    expect(parseServiceArgs(['--bogus'], USAGE)).toBe(`unknown or incomplete argument "--bogus"\n${USAGE}`);
  });
});
