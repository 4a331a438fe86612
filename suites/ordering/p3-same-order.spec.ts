import { orderingCheck } from './ordering-check.js';

orderingCheck('ORD.P3');
