module.exports = {
  displayName: 'plan-doc',
  preset: '../../jest.preset.js',
};
