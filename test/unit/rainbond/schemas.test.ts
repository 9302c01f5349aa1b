// The console's JSON as it really comes: unknown keys, nulls, empty strings, a string min_memory.

import { describe, expect, it } from 'vitest';
import {
  componentDetailSchema,
  componentEventsSchema,
  componentListSchema,
  componentSchema,
  copyAnswerSchema,
  copyableComponentListSchema,
  operationAnswerSchema,
} from '../../../src/rainbond/schemas.ts';
import type { Component, CopyableComponent } from '../../../src/rainbond/types.ts';
import { copyableEntry, SERVICE_ID, serviceBaseInfo } from './fixtures.ts';

const component: Component = {
  serviceId: SERVICE_ID,
  serviceAlias: 'gr4d3e2f',
  serviceCname: 'shop-api',
  k8sComponentName: 'shop-api',
  status: 'running',
  createStatus: 'complete',
  serviceSource: 'docker_image',
};

describe('componentSchema', () => {
  it.each<{ name: string; raw: unknown; expected: Component }>([
    { name: 'a full ServiceBaseInfo with unknown keys is read', raw: serviceBaseInfo(), expected: component },
    {
      name: 'the copy answer status "" reads as no status',
      raw: serviceBaseInfo({ status: '' }),
      expected: { ...component, status: null },
    },
    {
      name: 'a null live status (the cluster did not answer) reads as no status',
      raw: serviceBaseInfo({ status: null }),
      expected: { ...component, status: null },
    },
    {
      name: 'missing and null descriptive fields read as null',
      raw: {
        service_id: SERVICE_ID,
        service_alias: 'gr4d3e2f',
        service_cname: 'shop-api',
        create_status: null,
      },
      expected: {
        ...component,
        k8sComponentName: null,
        status: null,
        createStatus: null,
        serviceSource: null,
      },
    },
    {
      name: 'a descriptive field of an unexpected type reads as null instead of failing the answer',
      raw: serviceBaseInfo({ create_status: 3, k8s_component_name: ['x'] }),
      expected: { ...component, createStatus: null, k8sComponentName: null },
    },
    {
      name: 'a missing alias or name reads as an empty string',
      raw: { service_id: SERVICE_ID, service_cname: null },
      expected: {
        serviceId: SERVICE_ID,
        serviceAlias: '',
        serviceCname: '',
        k8sComponentName: null,
        status: null,
        createStatus: null,
        serviceSource: null,
      },
    },
  ])('$name', ({ raw, expected }) => {
    expect(componentSchema.parse(raw)).toEqual(expected);
  });

  it.each([
    { name: 'a component without service_id is refused', raw: serviceBaseInfo({ service_id: undefined }) },
    { name: 'a component with an empty service_id is refused', raw: serviceBaseInfo({ service_id: '' }) },
    { name: 'a component whose service_id is a number is refused', raw: serviceBaseInfo({ service_id: 42 }) },
    { name: 'null is refused', raw: null },
  ])('$name', ({ raw }) => {
    expect(componentSchema.safeParse(raw).success).toBe(false);
  });
});

describe('componentDetailSchema', () => {
  it.each<{ name: string; raw: unknown; accessInfos: string[] }>([
    {
      name: "a component's access_infos are kept as the console sends them, URLs and TCP endpoints in order",
      raw: serviceBaseInfo({
        access_infos: ['https://gr1a2b3c-80-t7k2m9qa.apps.example.com/api', '203.0.113.10:30001'],
      }),
      accessInfos: ['https://gr1a2b3c-80-t7k2m9qa.apps.example.com/api', '203.0.113.10:30001'],
    },
    {
      name: 'no access_infos key reads as none',
      raw: serviceBaseInfo({ access_infos: undefined }),
      accessInfos: [],
    },
    { name: 'null access_infos read as none', raw: serviceBaseInfo({ access_infos: null }), accessInfos: [] },
    {
      name: 'access_infos that are not a list read as none, not as a broken answer',
      raw: serviceBaseInfo({ access_infos: 'http://a.example.com' }),
      accessInfos: [],
    },
    {
      name: 'entries that are not texts, or are blank, are dropped',
      raw: serviceBaseInfo({ access_infos: [42, null, '', ' ', { url: 'x' }, 'http://a.example.com'] }),
      accessInfos: ['http://a.example.com'],
    },
  ])('$name', ({ raw, accessInfos }) => {
    expect(componentDetailSchema.parse(raw)).toEqual({ ...component, accessInfos });
  });

  it('a component without service_id is refused here too', () => {
    expect(componentDetailSchema.safeParse(serviceBaseInfo({ service_id: undefined })).success).toBe(false);
  });
});

describe('answers', () => {
  it('the copy answer is the list under "services", extra top-level keys ignored', () => {
    expect(copyAnswerSchema.parse({ services: [serviceBaseInfo()], bean: {} })).toEqual([component]);
  });

  it.each([
    { name: 'a copy answer without services is refused', raw: {} },
    { name: 'a copy answer with null services is refused', raw: { services: null } },
    { name: 'a copy answer that is a bare array is refused', raw: [serviceBaseInfo()] },
  ])('$name', ({ raw }) => {
    expect(copyAnswerSchema.safeParse(raw).success).toBe(false);
  });

  it('the component list is a bare array', () => {
    expect(componentListSchema.parse([serviceBaseInfo(), serviceBaseInfo({ status: 'closed' })])).toEqual([
      component,
      { ...component, status: 'closed' },
    ]);
    expect(componentListSchema.safeParse({ list: [] }).success).toBe(false);
  });

  it('an operation answer is any JSON object', () => {
    expect(operationAnswerSchema.safeParse({ msg: '操作成功' }).success).toBe(true);
    expect(operationAnswerSchema.safeParse({}).success).toBe(true);
    expect(operationAnswerSchema.safeParse('ok').success).toBe(false);
    expect(operationAnswerSchema.safeParse([]).success).toBe(false);
  });
});

describe('copyableComponentListSchema', () => {
  const copyable: CopyableComponent = {
    serviceId: SERVICE_ID,
    serviceCname: 'shop-api',
    serviceAlias: 'gr4d3e2f',
    createStatus: 'complete',
    serviceSource: 'docker_image',
    buildVersion: 'v1',
    image: 'goodrain.me/shop-api:v1',
    minMemory: 512,
  };

  it.each<{ name: string; raw: Record<string, unknown>; expected: CopyableComponent }>([
    {
      name: 'min_memory as a string (as the pre-flight sends it) reads as a number',
      raw: copyableEntry(),
      expected: copyable,
    },
    {
      name: 'min_memory as an int reads as a number',
      raw: copyableEntry({ min_memory: 1024 }),
      expected: { ...copyable, minMemory: 1024 },
    },
    {
      name: 'a non-numeric min_memory reads as null',
      raw: copyableEntry({ min_memory: 'lots' }),
      expected: { ...copyable, minMemory: null },
    },
    {
      name: 'an empty min_memory reads as null',
      raw: copyableEntry({ min_memory: '' }),
      expected: { ...copyable, minMemory: null },
    },
    {
      name: 'a null build_source has no version, source or image',
      raw: copyableEntry({ build_source: null }),
      expected: { ...copyable, buildVersion: null, serviceSource: null, image: null },
    },
    {
      name: 'a build_source without a version has no version',
      raw: copyableEntry({ build_source: { service_source: 'source_code' } }),
      expected: { ...copyable, buildVersion: null, serviceSource: 'source_code', image: null },
    },
    {
      name: 'a package_build component is read from build_source.service_source, for the caller to refuse',
      raw: copyableEntry({ build_source: { service_source: 'package_build', version: 'v1' } }),
      expected: { ...copyable, serviceSource: 'package_build', image: null },
    },
    {
      name: 'a top-level service_source (which the console never sends) is not read',
      raw: copyableEntry({
        service_source: 'package_build',
        build_source: { service_source: 'docker_image', version: 'v1', image: 'goodrain.me/shop-api:v1' },
      }),
      expected: copyable,
    },
  ])('$name', ({ raw, expected }) => {
    expect(copyableComponentListSchema.parse([raw])).toEqual([expected]);
  });

  it('keeps nothing of the registry credentials the pre-flight carries in clear', () => {
    const parsed = copyableComponentListSchema.parse([copyableEntry()]);
    expect(JSON.stringify(parsed)).not.toContain('registry-secret-3f9a');
    expect(JSON.stringify(parsed)).not.toContain('robot');
  });

  it('a pre-flight answer that is not a bare array is refused', () => {
    expect(copyableComponentListSchema.safeParse({ list: [copyableEntry()] }).success).toBe(false);
  });
});

describe('componentEventsSchema', () => {
  it('reads the CamelCase fields of consoles before v6.0.0 as it reads the snake_case of later ones', () => {
    // As console:openapi/serializer/app_serializer.py@v5.17.3-release answers a failed build.
    const v5 = {
      events: [
        {
          EventID: 'e2',
          OptType: 'build-service',
          Status: 'failure',
          FinalStatus: 'complete',
          Message: 'pull image failed',
          UserName: 'alice',
          ServiceID: SERVICE_ID,
          create_time: '2024-03-01 08:00:00',
        },
      ],
      total: 1,
      page: 1,
      page_size: 20,
    };
    const v6 = {
      events: [
        {
          event_id: 'e2',
          opt_type: 'build-service',
          status: 'failure',
          final_status: 'complete',
          message: 'pull image failed',
          create_time: '2024-03-01 08:00:00',
        },
      ],
    };
    const expected = [
      {
        eventId: 'e2',
        optType: 'build-service',
        status: 'failure',
        finalStatus: 'complete',
        message: 'pull image failed',
        createTime: '2024-03-01 08:00:00',
      },
    ];
    expect(componentEventsSchema.parse(v5)).toEqual(expected);
    expect(componentEventsSchema.parse(v6)).toEqual(expected);
  });

  it('an empty snake_case field reads as absent, so the CamelCase one is read', () => {
    expect(componentEventsSchema.parse({ events: [{ status: '', Status: 'failure' }] })[0]?.status).toBe(
      'failure',
    );
  });
});
