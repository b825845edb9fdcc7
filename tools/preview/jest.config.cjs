module.exports = {
  displayName: 'preview',
  preset: '../../jest.preset.js',
};
