import { cpuBudget } from './cpu-budget';

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

  it('claims nothing for a step that handled no message', () => {
    expect(cpuBudget({ machine: 40 }, 0, 2, 5000)).toEqual({ msPerMessage: {}, coresForTarget: Number.POSITIVE_INFINITY, cpuBoundPerSecond: 0 });
  });
});
