import '@testing-library/jest-dom';

// React 18's warnings about code in the MFEs' own packages, which the widgets cannot change. Each is
// dropped only when it is about that code; every other console error still shows (ours included).
const firstFrame = (text) => (String(text).match(/^\s*at .*$/m) || [''])[0];
const THEIRS = [
  // Paragon's Icon and Card use defaultProps.
  (args) => /Support for defaultProps will be removed/.test(args[0]) && ['Icon', 'CardContextProvider'].includes(args[1]),
  // frontend-plugin-framework gives PluginSlot's forwardRef render function propTypes (at import).
  (args) => /forwardRef render functions do not support propTypes/.test(args[0])
    && /frontend-plugin-framework/.test(new Error().stack),
  // frontend-plugin-framework's PluginContainerDirect spreads a key into the widget's props.
  (args) => /A props object containing a "key" prop is being spread into JSX/.test(args[0])
    && /frontend-plugin-framework/.test(firstFrame(args[args.length - 1])),
];
// Any other error a test logs (a failed prop type, a missing translation, React's warnings about
// the widgets' own code) fails that test.
const consoleError = console.error; // eslint-disable-line no-console
let logged = [];
console.error = (...args) => { // eslint-disable-line no-console
  if (THEIRS.some((theirs) => theirs(args))) { return; }
  logged.push(args.map(String).join(' '));
  consoleError(...args);
};
afterEach(() => {
  const errors = logged;
  logged = [];
  expect(errors).toEqual([]);
});
