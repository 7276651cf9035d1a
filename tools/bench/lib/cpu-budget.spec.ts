import { compareWithFloor, cpuBudget, describeCpuBudget } from './cpu-budget';

describe('cpuBudget', () => {
  it('turns shares of a core at a rate into milliseconds of CPU per message', () => {
    // 150% of a core at 2,000 messages/s is 1.5 s of CPU a second: 0.75 ms a message.
    const budget = cpuBudget({ machine: 150, postgresql: 60, 'adt-ingest': 70 }, 2000, 2, 5000);
    expect(budget.msPerMessage).toEqual({ machine: 0.75, postgresql: 0.3, 'adt-ingest': 0.35 });
  });

  it('says how many cores the target needs and where this machine would be full', () => {
    const budget = cpuBudget({ machine: 198 }, 600, 2, 5000);
    expect(budget.msPerMessage.machine).toBe(3.3);
    expect(budget.coresForTarget).toBe(16.5);
    expect(budget.cpuBoundPerSecond).toBe(606);
  });

  it('describes a budget in one line, the machine first', () => {
    const line = describeCpuBudget(cpuBudget({ machine: 198, postgresql: 60 }, 600, 2, 5000), 'event', 5000);
    expect(line).toBe('CPU ms per event: machine 3.300 (postgresql 1.000); cores full at 606/s, 5000/s needs 16.5 cores');
  });

  it('claims nothing for a step that handled no message', () => {
    expect(cpuBudget({ machine: 40 }, 0, 2, 5000)).toEqual({ msPerMessage: {}, coresForTarget: Number.POSITIVE_INFINITY, cpuBoundPerSecond: 0 });
  });
});

describe('compareWithFloor', () => {
  it('divides the product’s CPU per message by the floor’s: machine, shared servers, and its own processes against the floor’s', () => {
    const product = cpuBudget({ machine: 180, postgresql: 60, kafka: 10, 'adt-ingest': 40, 'care-gap': 30, 'pharmacy-alert': 30, 'load client': 5 }, 1000, 2, 5000);
    const floor = cpuBudget({ machine: 60, postgresql: 20, kafka: 10, 'floor ingest': 15, 'floor consumers': 10, 'load client': 5 }, 2000, 2, 5000);
    // product: 1.8 ms a message, floor 0.3 ms; its services 1.0 ms against the floor's own 0.125 ms.
    expect(compareWithFloor(product, floor).ratio).toEqual({ machine: 6, measured: 5.83, postgresql: 6, kafka: 2, application: 8 });
  });
});
