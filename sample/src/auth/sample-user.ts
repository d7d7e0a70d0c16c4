/** The signed-in user of the sample app. */
export interface SampleUser {
  id: string;
  /**
   * The user's GitHub connection id: the one they made through the Connect UI (see
   * `LinkedConnections`), else their user id (the demo connections are seeded so).
   */
  githubConnectionId: string;
}

/** The part of an HTTP request (Express or Fastify) the sample reads. */
export interface SampleRequest {
  headers: Record<string, string | string[] | undefined>;
  user?: SampleUser;
}
