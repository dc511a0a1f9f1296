#!/usr/bin/env node
console.log("raftsim");
