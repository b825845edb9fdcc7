import { join } from 'node:path';
import { runApp } from '@estate/platform';
import { buildDevApp } from './app';

runApp('dev', buildDevApp, join(__dirname, '..', 'cdktf.out'));
