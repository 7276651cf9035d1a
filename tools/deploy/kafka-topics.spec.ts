import { parseAllDocuments } from 'yaml';
import { TOPIC_CATALOGUE, TopicNames } from '@sc/contracts';
import { kafkaTopicResources, renderKafkaTopicsYaml, resourceNameOf } from './kafka-topics';

describe(kafkaTopicResources.name, () => {
  it('declares every catalogue topic and dead-letter topic, with the catalogue partitions and retention', () => {
    const resources = kafkaTopicResources();
    const declared = resources.map((resource) => ({
      name: resource.spec?.topicName,
      partitions: resource.spec?.partitions,
      retentionMs: (resource.spec?.config as Record<string, unknown>)['retention.ms'],
      cleanupPolicy: (resource.spec?.config as Record<string, unknown>)['cleanup.policy'],
    }));
    expect(declared).toEqual(new TopicNames().all());
  });

  it('labels every topic with the Strimzi cluster that manages it and applies the replication settings', () => {
    const resources = kafkaTopicResources({ clusterName: 'kafka-a', replicas: 5, minInsyncReplicas: 3 });
    for (const resource of resources) {
      expect(resource.metadata?.labels?.['strimzi.io/cluster']).toBe('kafka-a');
      expect(resource.spec?.replicas).toBe(5);
      expect(resource.spec?.config).toMatchObject({ 'min.insync.replicas': 3 });
    }
  });

  it('names each resource after its topic in a form Kubernetes accepts', () => {
    expect(resourceNameOf(TOPIC_CATALOGUE.encounters.name)).toBe('care-encounters-v1');
    expect(resourceNameOf('Tenant_A.care.encounters.v1.dlt')).toBe('tenant-a-care-encounters-v1-dlt');
    expect(() => resourceNameOf('...')).toThrow(/no usable Kubernetes resource name/);
  });
});

describe(renderKafkaTopicsYaml.name, () => {
  it('renders one YAML document per topic that reads back as the resources', () => {
    const documents = parseAllDocuments(renderKafkaTopicsYaml()).map((document) => document.toJS() as unknown);
    expect(documents).toEqual(kafkaTopicResources());
  });
});
