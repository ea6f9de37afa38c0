// Which versions of the MFEs' packages this run exercises (jest.config.cjs, OPENEDX_LINE).
import { PLUGIN_OPERATIONS } from '@openedx/frontend-plugin-framework';

const EXPECTED = {
  ulmo: { fpf: '1.7.0', platform: '8.4.0', paragon: '23.4.5' },
  verawood: { fpf: '1.8.0', platform: '8.7.0', paragon: '23.19.2' },
};

it('runs against the versions the release line\'s MFEs lock', () => {
  const line = process.env.OPENEDX_LINE || 'ulmo';
  const version = (name) => require(`${name}/package.json`).version; // eslint-disable-line global-require
  expect({
    fpf: version('@openedx/frontend-plugin-framework'),
    platform: version('@edx/frontend-platform'),
    paragon: version('@openedx/paragon'),
  }).toEqual(EXPECTED[line]);
  expect(PLUGIN_OPERATIONS.Insert).toBe('insert');
});
