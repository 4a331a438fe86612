import { orderingCheck } from './ordering-check.js';

orderingCheck('ORD.P1');
orderingCheck('ORD.P1-GAPFREE');
