/** The signed-in user of the sample app. Its id doubles as the user's Nango connection id. */
export interface SampleUser {
  id: string;
}

/** The part of an HTTP request (Express or Fastify) the sample reads. */
export interface SampleRequest {
  headers: Record<string, string | string[] | undefined>;
  user?: SampleUser;
}
