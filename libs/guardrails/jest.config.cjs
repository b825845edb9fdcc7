module.exports = {
  displayName: 'guardrails',
  preset: '../../jest.preset.js',
};
