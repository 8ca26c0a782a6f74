import { type Synthesized, synth } from './synth';

/** Properties that set a resource's physical name, unique per account and region. */
const NAME_PROPERTIES = [
  'BucketName',
  'DashboardName',
  'DeliveryStreamName',
  'AlarmName',
  'FunctionName',
  'LogGroupName',
  'RoleName',
  'StateMachineName',
  'TopicName',
  'AliasName',
] as const;

/** A piece of the stack's own id: CloudFormation makes it new on every create of the stack. */
const STACK_ID = '<stack-id>';

/** A name as CloudFormation would resolve it; a Ref to anything else shows as <Ref:id>. */
function render(value: unknown, stackName: string): string {
  if (typeof value === 'string') return value;
  const obj = (value ?? {}) as Record<string, unknown>;
  if (obj.Ref === 'AWS::StackName') return stackName;
  if (obj.Ref === 'AWS::StackId') return STACK_ID;
  if (typeof obj.Ref === 'string') return `<Ref:${obj.Ref}>`;
  if (Array.isArray(obj['Fn::Join'])) {
    const [separator, parts] = obj['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => render(part, stackName)).join(separator);
  }
  if (Array.isArray(obj['Fn::Select'])) {
    // Any piece of the stack id is as unique as the id itself.
    const [, list] = obj['Fn::Select'] as [number, unknown];
    return render(list, stackName).includes(STACK_ID) ? STACK_ID : `<Select>`;
  }
  if (Array.isArray(obj['Fn::Split'])) return render((obj['Fn::Split'] as unknown[])[1], stackName);
  if (Array.isArray(obj['Fn::GetAtt'])) return `<GetAtt:${(obj['Fn::GetAtt'] as string[]).join('.')}>`;
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}

interface PhysicalName {
  logicalId: string;
  type: string;
  retained: boolean;
  name: string;
}

function physicalNames(s: Synthesized): PhysicalName[] {
  return Object.entries(s.json.Resources).flatMap(([logicalId, resource]) =>
    NAME_PROPERTIES.filter((key) => resource.Properties?.[key] !== undefined)
      .map((key) => ({
        logicalId,
        type: resource.Type,
        retained: resource.DeletionPolicy === 'Retain',
        name: render(resource.Properties[key], s.stack.stackName),
      }))
      // A bare Ref names another resource (a log stream's group), not this one.
      .filter((n) => !/^<Ref:[^>]+>$/.test(n.name)),
  );
}

describe('physical names', () => {
  let a: Synthesized;
  let b: Synthesized;
  beforeAll(async () => {
    a = await synth({}, { stackName: 'LoaderA' });
    b = await synth({}, { stackName: 'LoaderB' });
  });

  it('give no resource kept on delete a name that the next create of the stack would reuse', () => {
    const retainedNamed = physicalNames(a).filter((n) => n.retained);
    // The state machine's vended log group is named (see LoaderStateMachine) and retained by default.
    expect(retainedNamed.map((n) => n.type)).toContain('AWS::Logs::LogGroup');
    for (const named of retainedNamed)
      expect(named).toEqual(expect.objectContaining({ name: expect.stringContaining(STACK_ID) }));
  });

  it('name the state machine and the delivery stream after the stack', () => {
    const names = physicalNames(a);
    expect(names).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'AWS::StepFunctions::StateMachine', name: 'LoaderA' }),
        expect.objectContaining({ type: 'AWS::KinesisFirehose::DeliveryStream', name: 'LoaderA' }),
        expect.objectContaining({
          type: 'AWS::Logs::LogGroup',
          name: `/aws/vendedlogs/states/LoaderA-${STACK_ID}`,
        }),
      ]),
    );
  });

  it('of two stacks in one account and region are disjoint', () => {
    // A name with a piece of the stack id differs between any two stacks, whatever the rest says.
    const of = (s: Synthesized) =>
      physicalNames(s).map((n) => n.name.replaceAll(STACK_ID, `<stack-id of ${s.stack.stackName}>`));
    const namesOfA = of(a);
    expect(namesOfA.length).toBeGreaterThanOrEqual(3);
    expect(of(b).filter((name) => namesOfA.includes(name))).toEqual([]);
  });

  it('follow the name setting, and a stream or state machine name setting overrides it', async () => {
    const named = physicalNames(await synth({ name: 'team-b', streamName: 'team-b-clicks' }));
    expect(named).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'AWS::StepFunctions::StateMachine', name: 'team-b' }),
        expect.objectContaining({ type: 'AWS::KinesisFirehose::DeliveryStream', name: 'team-b-clicks' }),
      ]),
    );
  });

  it('refuse a stack name too long for a delivery stream, naming the setting that fixes it', async () => {
    await expect(synth({}, { stackName: `L${'o'.repeat(70)}` })).rejects.toThrow(
      /firehose-loader:streamName/,
    );
  });
});
