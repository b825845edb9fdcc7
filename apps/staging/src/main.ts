import { join } from 'node:path';
import { runApp } from '@estate/platform';
import { buildStagingApp } from './app';

runApp('staging', buildStagingApp, join(__dirname, '..', 'cdktf.out'));
