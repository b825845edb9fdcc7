import { join } from 'node:path';
import { runApp } from '@estate/platform';
import { buildProdApp } from './app';

runApp('prod', buildProdApp, join(__dirname, '..', 'cdktf.out'));
