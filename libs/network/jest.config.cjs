module.exports = {
  displayName: 'network',
  preset: '../../jest.preset.js',
};
