// Event kinds in the world's scheduler. Small integers so dispatch is a switch.
export const Ev = {
  deliver: 1, // a=from b=to payload=message
  tick: 2, // a=node b=incarnation
  fsync: 3, // a=node b=token (disk completes an fsync)
  persistedNotify: 4, // a=node b=token (deferred onPersisted after a pause)
  actorTimer: 5, // a=endpoint
  fault: 6, // a=index into the fault schedule
} as const;
