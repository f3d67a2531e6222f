// Container healthcheck (docker-compose.yml): `node docker/healthcheck.js <port>`.
// Calls grpc.health.v1.Health/Check for service "" (the whole server) on 127.0.0.1:<port> and exits
// 0 only when the answer is SERVING; 1 on NOT_SERVING, an error or no answer within 3 s. The image
// has no grpc_health_probe binary, so this uses the two packages the services already depend on.
'use strict';
const grpc = require('@grpc/grpc-js');
const { service } = require('grpc-health-check');

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error('usage: node docker/healthcheck.js <port>');
  process.exit(2);
}

const Health = grpc.makeGenericClientConstructor(service, 'Health');
const client = new Health(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
client.Check({ service: '' }, { deadline: Date.now() + 3000 }, (error, response) => {
  client.close();
  const status = error ? error.message : response.status;
  if (status !== 'SERVING') console.error(`health: ${status}`);
  process.exit(status === 'SERVING' ? 0 : 1);
});
