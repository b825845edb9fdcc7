module.exports = {
  displayName: 'prod',
  preset: '../../jest.preset.js',
};
