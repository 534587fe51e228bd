// Stand-in for the npm placeholder `fs@0.0.1-security`: Node's own fs.
'use strict';
module.exports = require('node:fs');
