module.exports = {
  displayName: 'permissions',
  preset: '../../jest.preset.js',
};
