import { whileLeadersSettle } from './while-leaders-settle';

const refusal = (retriable: boolean) =>
  Object.assign(new Error('This server does not host this topic-partition'), { retriable });

describe('whileLeadersSettle', () => {
  it('calls again while the refusal is retriable, and returns what the call gives once it succeeds', async () => {
    let calls = 0;
    const result = await whileLeadersSettle(async () => {
      if (++calls < 3) throw refusal(true);
      return 'subscribed';
    });
    expect({ result, calls }).toEqual({ result: 'subscribed', calls: 3 });
  });

  it('takes a retriable cause as retriable (kafkajs wraps the refusal after its own retries)', async () => {
    let calls = 0;
    await whileLeadersSettle(async () => {
      if (++calls === 1) throw Object.assign(new Error('retries exceeded'), { retriable: false, cause: refusal(true) });
    });
    expect(calls).toBe(2);
  });

  it('throws a refusal that is not retriable at once', async () => {
    let calls = 0;
    const call = async () => {
      calls++;
      throw refusal(false);
    };
    await expect(whileLeadersSettle(call)).rejects.toThrow('does not host');
    expect(calls).toBe(1);
  });

  it('gives up with the last refusal once the time is over', async () => {
    let calls = 0;
    const call = async () => {
      calls++;
      throw refusal(true);
    };
    await expect(whileLeadersSettle(call, 300)).rejects.toThrow('does not host');
    expect(calls).toBeGreaterThan(1);
  });
});
