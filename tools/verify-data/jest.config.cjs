module.exports = {
  displayName: 'verify-data',
  preset: '../../jest.preset.js',
};
